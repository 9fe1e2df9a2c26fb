"""Service orders (工单): the three lists, the order's life, escalations, Open311."""
