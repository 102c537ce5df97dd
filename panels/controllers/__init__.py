"""Panel pages, one controller per actor: coordinator, member, chair, force liaison, public."""
