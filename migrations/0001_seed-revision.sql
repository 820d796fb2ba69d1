-- The cluster-wide resourceVersion starts at 1 so that "0" keeps its API meaning
-- ("any version") in list and watch requests.
INSERT OR IGNORE INTO `revision` (`id`, `rv`, `compacted_rv`) VALUES (1, 1, 0);
