"""Ops staff: accounts, their roles per retailer, console sessions, invites and the audit log.

A domain part: the records and the use cases about them (each in one unit of work). The
console (slotbooking/console/) is the web part that reads requests and calls these.
"""
