"""Projects (项目清单): a secretary groups needs and resources."""
