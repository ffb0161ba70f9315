"""What every service's documents share: Italian formatting (dates, numbers, money) and HTML -> PDF/A."""
