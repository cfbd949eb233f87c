"""Cases: alerts grouped into cases, queues and routing, take-next assignment, four eyes, users and roles."""
