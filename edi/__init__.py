"""Django-free X12 reader/writer (837P/837I out; 835, 271, 277CA, 999 in).

Lands with the claims issue.
"""
