"""Incident response and recovery. Moving in first: published hack incidents from the exchange's facts, tracing
their proceeds to deposits at the exchange and freezing them; then outreach queues and mistaken-deposit appeals."""
