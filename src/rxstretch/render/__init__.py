"""Lay out a resolved Handout as a PDF with ReportLab."""
