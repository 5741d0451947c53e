"""Pure early-warning rules: surge detectors mirroring R `surveillance`, the flow
analytics (series, indicators, forecasts, detection, evaluation, backtest), trigger
and plan rules, and CAP 1.2 messages. No database and no web; the only files read
are the module's own package data."""
