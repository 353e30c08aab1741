"""What is on offer: the windows made up to the horizon, priced for an address, with a quote."""
