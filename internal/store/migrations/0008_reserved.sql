-- Reserved: another module's migration takes this number when the branches
-- are merged; this placeholder only keeps the sequence whole until then.
SELECT 1;
