"""Django's ASGI handler with its middleware and views run as one synchronous stack.

Every middleware and view of the office is synchronous. Django's own ASGI handler builds
its middleware chain for async all the same: each request went from the event loop to a
thread for the outer middleware, back to the loop for Django's async-capable ones and for
resolving the view, and into the thread again for the view. Built synchronous (as under
WSGI), the whole stack runs in one trip to the request's thread. Measured on a view that
does nothing: docs/benchmarks.md, "Knock to staff alert". Reading the body, sending the
response (streamed or not) and the request's end are Django's, unchanged.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse


class SyncStackASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        # An async view (there is none today) would still work: the synchronous stack
        # runs it through async_to_sync, as under WSGI.
        super().load_middleware(is_async=False)

    async def run_get_response(self, request):
        response = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        # As Django's handler marks it (for its test client's and async streaming's sake).
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        return response
