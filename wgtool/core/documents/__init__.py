"""Documents: what the secretariat produces from the record (clean text, redlines, compilations
as HTML, Word and Akoma Ntoso), reading Word back into a draft, and what the record says about
its text (who wrote which words, concordance of labels, participation balance)."""
