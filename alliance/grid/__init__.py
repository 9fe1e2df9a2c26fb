"""The grid worker's (网格员) page: their grid's estate, shops and open orders, and visits (走访)."""
