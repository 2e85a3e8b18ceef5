<<<<<<< HEAD
<<<<<<< HEAD
-- Number held for a module whose migration is added with it.
=======
-- Reserved: another module's migration takes this number when the branches
-- are merged; this placeholder only keeps the sequence whole until then.
>>>>>>> finance
=======
-- Number held for a module whose migration is added with it.
>>>>>>> innovation
SELECT 1;
