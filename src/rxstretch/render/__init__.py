"""Lay out a resolved Handout as a PDF with ReportLab.

Owns: Handout + Template + fonts -> PDF bytes, figures drawn and exported. Imports the model,
errors and resources only: never a loader (loaders/, records/, prescription/), batch/, the API or
the CLI. ReportLab internals are used only through render/internals.py.
"""
