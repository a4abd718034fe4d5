"""The output layer, and the only importer of rich: records and messages become JSON
Lines, plain lines or rich tables here, and nowhere else. Callers hand it data
(records, :class:`~siocli.output.tables.TableData`, :class:`~siocli.output.tables.PanelData`,
notices) and never branch on the format."""
