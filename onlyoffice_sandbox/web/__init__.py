"""The sandbox's HTTP layer (Starlette): the send endpoint and the pages, over the framework-free core."""
