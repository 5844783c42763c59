-- PostgreSQL: the terms as an array under a GIN index; a query's terms must all be in it.
CREATE INDEX search_passages_terms ON search_passages USING GIN (string_to_array(terms, ' '));
