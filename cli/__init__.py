"""The terminal: `python app.py COMMAND …`. `main.py` holds the parser and the dispatch,
`common.py` the shared arguments and model loading, and each command is one module of the
same name (translate.py, translate_file.py, train_cpo.py, …).

May import every other package of the project; nothing imports `cli`."""
