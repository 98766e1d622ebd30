"""Language detection: Unicode scripts (unicode_scripts.py), letters and spellings a
language alone uses (alphabets.py), deciding words (lexicon.py), langdetect's profiles
(langdetect_base.py), and the detector that combines them (detect.py). Pure Python."""
