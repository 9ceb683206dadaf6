"""The pages: server-rendered HTML over the same services and access gate as the API."""

from ipec.web.pages.routes import install_pages

__all__ = ["install_pages"]
