"""Consultations (Calls for Evidence): lifecycle, data-protection record, safety settings and
the support directory shown to respondents."""
