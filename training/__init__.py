"""Training: reading preference rows (the app's exports, ALMA-R-Preference) and CPO
training of a PEFT LoRA adapter with TRL.

May import `models` and `prompts`; not `chat`, `storage`, the web layer or `cli`."""
