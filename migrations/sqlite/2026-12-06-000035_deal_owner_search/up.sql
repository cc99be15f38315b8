-- PostgreSQL learns here that a deal's owner and its customer's owner go together (extended
-- statistics) and gets the title in the owner's list index. SQLite needs neither: its planner
-- already walks the owner's list index for a salesperson's deals, and that index has held the
-- title since migration 020. The migration exists on both databases so that their histories stay
-- alike.
SELECT 1;
