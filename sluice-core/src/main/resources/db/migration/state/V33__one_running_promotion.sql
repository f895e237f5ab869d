-- V14's partial unique index was meant to let one promotion run at a time, but it covered the rows
-- whose status is 'running', and the state stores write a status as its constant's name
-- ('RUNNING'): it covered no row, and two promotions started together both ran (PromotionKilledTest
-- found it). It covers the running promotion as it is written now.
DROP INDEX sluice_promotions_one_running;
CREATE UNIQUE INDEX sluice_promotions_one_running ON sluice_promotions (status)
    WHERE status = 'RUNNING';
