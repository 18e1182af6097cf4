"""Reporting units, periods, unit reports and generated reports: built in the reports issues."""
