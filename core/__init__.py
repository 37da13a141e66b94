"""The domain-free bottom layer: pieces every app may use (spreadsheets, ids in URLs, safe text input). It
imports no app of ours."""
