"""Ingestion: every raw format a study brings, into tidy, validated, pseudonymised tables.

One module per source format (``ssda903``, ``casefile``, ``qualtrics``, ``spss``,
``survey_table``, ``refi_qda``, ``coded_segments``, ``dfe``), sharing the tolerant table
reading of ``tabular``, the value parsing of ``values`` and the row ledger of ``ledger``;
``pipeline`` runs them over a study and writes ``data/processed/``.
"""
