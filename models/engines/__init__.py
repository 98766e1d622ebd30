"""What runs a loaded model: the transformers engine (transformers_engine.py), llama.cpp
(llamacpp.py), an OpenAI-compatible server (remote.py), their shared completion base
(completion.py), the stream handle (base.py), streaming (stream.py) and stop strings
(stopping.py)."""
