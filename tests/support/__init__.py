"""Helpers shared by the tests: local HTTP stubs, accounts and seeds, real-engine stacks (Automation
API and CLI project folders), and the fault-test kit. Nothing here is collected as a test."""
