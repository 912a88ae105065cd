"""What the interface says and how it reads times: the string catalogue, display formats and typed times."""
