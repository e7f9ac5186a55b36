"""FHIR R4 export and import of prescriptions.

Owns: the code systems and extension rxstretch defines (``codes``), the Bundle written beside a
handout (``export``), JSON serialisation (``serialize``) and reading a Bundle back into a
Prescription (``bundle_import``). Imports only the model types, the resolved Handout, errors and
the prescription reader; never the renderer, the CLI or the batch runner, and never a FHIR model
library (the tests validate what this writes with one).
"""
