"""Applicants: every kind of beneficiary, artisan titles, support requests (built in the applicants issue)."""
