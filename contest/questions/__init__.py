"""The question bank: loading files into the database."""
