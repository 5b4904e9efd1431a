"""Small data sets for examples and tests, split into train and test arrays."""

from nn.datasets.digits import DigitsData, load_digits
from nn.datasets.housing import HousingData, load_housing

__all__ = ["DigitsData", "HousingData", "load_digits", "load_housing"]
