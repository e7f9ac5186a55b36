"""Read the clinic's files: library folders (exercises, figures, conditions, programs, vocabulary),
brand and template files, with the YAML reader that locates every problem; plus the catalog
queries (list, show, names), the language report, ``validate`` and the ``init`` starter folder.

Owns: turning files into model types. Must never import render/, records/, batch/, the API or the
CLI. This ``__init__`` imports nothing, so importing one loader never loads the others.
"""
