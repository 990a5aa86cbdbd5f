"""A ReportLab canvas that writes each page to the file as soon as it is finished.

ReportLab keeps every page of a document (its content, uncompressed) until `save()`, then
builds the whole file in memory before writing it: a run of 50,000 badges would hold some
hundreds of megabytes. `PageStreamingCanvas` draws exactly as ReportLab's `Canvas` does; only
its document differs: when a page is done, the page and its content stream are formatted and
written to the file at once and forgotten, and `save()` writes what is left (the fonts, which
ReportLab subsets only once every page is known, the page tree, the catalogue) straight to
the file. The file holds the same objects, in another order, which the cross-reference table
records; memory holds a few numbers per page, not the pages.

It relies on ReportLab's document internals (`reportlab.pdfbase.pdfdoc`, stable across 3.x to
5.x); the tests read every badge file back (text, pages, QR codes), so a change there shows.
"""

from typing import BinaryIO

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas


class _Written(pdfdoc.PDFObject):
    """Stands in for an object already in the file."""

    def format(self, document):
        raise AssertionError("an object already written is formatted again")


_WRITTEN = _Written()


class _File:
    """Where the objects go: the output itself, keeping count of the offset of each."""

    def __init__(self, out: BinaryIO, pdf_version):
        self.out = out
        self.offset = 0
        # The same header as ReportLab's (its PDFFile writes it when created).
        self.add(pdfdoc.PDFFile(pdf_version).strings[0])

    def add(self, data: bytes) -> int:
        data = pdfdoc.pdfdocEnc(data)
        offset = self.offset
        self.out.write(data)
        self.offset += len(data)
        return offset


class _PageStreamingDocument(pdfdoc.PDFDocument):
    def __init__(self, out: BinaryIO, **kwargs):
        super().__init__(**kwargs)
        self._file = _File(out, self._pdfVersion)
        self._written: set[str] = set()

    def addPage(self, page):  # ReportLab calls it so
        name = self.thisPageName()
        if page.compression and not page.Contents:
            # Compressed, without ReportLab's default ASCII85 layer (a quarter larger, slower).
            stream = pdfdoc.PDFStream(content=page.stream, filters=[pdfdoc.PDFZCompress])
            page.Contents = stream
        super().addPage(page)
        newest = self.objectcounter
        self._write(name)  # formatting the page registers its content stream
        for number in range(newest + 1, self.objectcounter + 1):
            other = self.numberToId[number]
            if isinstance(self.idToObject[other], pdfdoc.PDFStream):
                self._write(other)
        # The page tree needs only a reference to each page, not the page.
        self.Pages.pages[-1] = pdfdoc.PDFObjectReference(name)

    def _write(self, name: str) -> None:
        data = pdfdoc.PDFIndirectObject(name, self.idToObject[name]).format(self)
        self.idToOffset[name] = self._file.add(data)
        self.idToObject[name] = _WRITTEN
        self._written.add(name)

    def SaveToFile(self, filename, canvas):  # called by Canvas.save()
        # As ReportLab's GetPDFData and format(), but each object goes to the file as it is
        # formatted, and those already there are skipped.
        for font in self.delayedFonts:
            font.addObjects(self)
        self.info.invariant = self.invariant
        self.info.digest(self.signature)
        self.Reference(self.Catalog)
        self.Reference(self.info)
        self.Outlines.prepare(self, canvas)
        if self.Outlines.ready < 0:
            self.Catalog.Outlines = None
        self.encrypt.prepare(self)
        encrypt = self.encrypt.info()
        encrypt_reference = self.Reference(encrypt) if encrypt else None
        names = []
        number = 1
        while number in self.numberToId:  # objects may be registered while formatting
            name = self.numberToId[number]
            if name not in self._written:
                self._write(name)
            names.append(name)
            number += 1
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, names)
        trailer = pdfdoc.PDFTrailer(
            startxref=self._file.add(xref.format(self)),
            Size=len(names) + 1,
            Root=self.Reference(self.Catalog),
            Info=self.Reference(self.info),
            Encrypt=encrypt_reference,
            ID=self.ID(),
        )
        self._file.add(trailer.format(self))


class PageStreamingCanvas(Canvas):
    """ReportLab's `Canvas`, whose pages go to `out` as they are finished (see above)."""

    def __init__(self, out: BinaryIO, **kwargs):
        super().__init__(out, **kwargs)
        # Nothing is drawn yet: the document ReportLab made holds only its empty font table.
        self._doc = _PageStreamingDocument(
            out,
            compression=self._pageCompression,
            invariant=self._doc.invariant,
            pdfVersion=self._doc._pdfVersion,
        )
