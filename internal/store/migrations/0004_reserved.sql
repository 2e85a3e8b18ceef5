-- Number held for a module whose migration is added with it.
SELECT 1;
