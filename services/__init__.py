"""The five services of the Smart City selection system."""
