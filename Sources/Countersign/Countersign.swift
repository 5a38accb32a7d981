/// Countersign: PDF document generation, sealing and strict verification.
///
/// One import for library users; it re-exports the modules below it.
@_exported public import PDFReader
@_exported public import PDFSyntax
