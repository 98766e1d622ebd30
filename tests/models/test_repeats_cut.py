"""The length cap's cut keeps a text without spaces (Japanese, Chinese) up to the cap: a space
the completion began with is no word boundary (it used to cut such a reply to nothing)."""
from models.engines.repeats import _cut_to_size, text_size


def test_a_leading_space_is_no_word_boundary():
    text = " " + "パッサウルでの" * 40
    head = _cut_to_size(text, 30)
    assert head.strip() and text_size(head) <= 30 and text.startswith(head)
    assert _cut_to_size(" Passau ist eine schöne Stadt an der Donau", 12).strip() == "Passau ist"
