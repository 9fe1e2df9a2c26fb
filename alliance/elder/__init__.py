"""长辈模式 (large text mode), the web app manifest: what makes the site usable by older residents."""
