"""Questionnaires of a consultation table (issue 8 item 5b): questions, answer sets, results, exports."""
