"""The PdZ services. A service never imports another service's code."""
