"""The monthly report (月度工作报表) a community sends up to its street office."""
