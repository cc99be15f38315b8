-- Nothing was done going up (see up.sql); nothing to undo.
SELECT 1;
