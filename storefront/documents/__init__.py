"""Finance documents people download: PDFs of statements, commission invoices and credit notes,
and the CSV of a statement's lines, drawn from what the marketplace stored when it issued them."""
