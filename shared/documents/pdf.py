"""HTML -> PDF/A bytes through WeasyPrint.

PDF/A-2u (ISO 19005-2, level U): accepted for legal archiving (conservazione a norma), every font
embedded (WeasyPrint embeds the subsets it uses), an sRGB output intent, XMP metadata, and text mapped
to Unicode, so that what the document says can be searched and extracted. Not PDF/A-3: the suite's documents
attach nothing, and an archive need not accept arbitrary attachments. Not level A (tagged): WeasyPrint's
tagging is not complete enough to promise it.
"""
from __future__ import annotations

PDF_VARIANT = "pdf/a-2u"


def to_pdf(html: str) -> bytes:
    """The document as PDF/A-2u bytes (fonts from the system's fontconfig: DejaVu Sans)."""
    # Imported here: loading WeasyPrint loads Pango through cffi, which only the document views need.
    from weasyprint import HTML
    return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT)
