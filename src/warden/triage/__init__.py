"""The case-priority model: features of a case, training on dispositions, scoring within urgency floors."""
