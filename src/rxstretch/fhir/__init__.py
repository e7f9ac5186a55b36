"""FHIR R4 export and import of prescriptions.

Owns: the code systems and extension rxstretch defines (``codes``), the Bundle written beside a
handout (``export``), its JSON layout (``serialize``) and reading a Bundle back into a
Prescription (``bundle_import``). Uses the model types, the resolved Handout, errors, the safety
review, and the prescription reader's limits, quantity parsers, condition matching and JSON
record parsing. Must never import the renderer, the CLI, the batch runner or a FHIR model
library (the tests validate what this writes with one).
"""
