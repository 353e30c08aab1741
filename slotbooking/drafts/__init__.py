"""Drafts of a retailer's setup: edit without touching what is live, preview, publish, restore.

A draft is a revision of the retailer's whole setup document (setup/document.py), so pricing
rules now and the rest of the setup later go through one draft, preview and publish flow.
Publishing imports the draft's document through the setup import, in one unit of work, and
keeps it as a numbered version; restoring publishes an old version's document as a new one.
"""
