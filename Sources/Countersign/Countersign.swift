/// Countersign: PDF document generation, sealing and strict verification.
///
/// One import for library users; it re-exports the modules below it.
@_exported public import Batch
@_exported public import CountersignCrypto
@_exported public import InputChecks
@_exported public import PDFReader
@_exported public import PDFSyntax
@_exported public import Rendering
@_exported public import Signing
@_exported public import Templates
@_exported public import TrustedLists
@_exported public import Typesetting
@_exported public import Verification
@_exported public import Workflow
@_exported public import WorkflowPostgres
@_exported public import WorkflowSQLite
@_exported public import WebhookHTTP
